/** The fields of one image slot (Describe's image, each of Blend's images): a URL or a binary field. */
export const imageSlotFields = [
	{
		displayName: 'Image URL',
		name: 'imageUrl',
		type: 'string' as const,
		default: '',
		placeholder: 'https://example.com/image.png',
		description:
			'Public http(s) address of a PNG, JPEG, WebP or GIF image, e.g. https://example.com/cat.png or an imageUrls link a Midjourney step returned. Leave empty to use a binary field instead.',
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string' as const,
		default: '',
		placeholder: 'data',
		hint: 'The name of the binary field of the input item that holds the image',
		description: 'Use an image from the input item instead of a URL. At most 10 MB.',
	},
];
